"""The audit trail: who viewed, downloaded, changed or decided what, when and from where.
Both apps write to it through ``trackii.audit.services.audit_record`` and nothing else."""

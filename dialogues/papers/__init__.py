"""Papers: files the convening team uploads to a dialogue, a session or an agenda item, checked on
their content and stored privately; downloaded by whoever may see each one."""

"""Transfer (issue 18): ideas reaching officials, and the changes observed after."""

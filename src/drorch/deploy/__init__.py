"""`drorch deploy`: package, upload and roll out drorch's stack to AWS, and take it down again."""

# httpd.py: not written yet

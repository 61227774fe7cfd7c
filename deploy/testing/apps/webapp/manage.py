"""The Django-style entry point the deployment guide's hooks call: `python manage.py migrate`."""
import sys

import app

if __name__ == "__main__":
    sys.exit(app.main([sys.argv[0], *sys.argv[1:]]))

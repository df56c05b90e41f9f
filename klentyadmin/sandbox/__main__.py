import sys

from klentyadmin.sandbox.cli import main

sys.exit(main())

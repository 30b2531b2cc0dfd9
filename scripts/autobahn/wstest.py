"""Runs Autobahn|Testsuite's `wstest` from the project-local folder that `make deps-autobahn`
fills (.autobahn/ at the repository root, or $AUTOBAHN_DIR), so nothing is installed into the
Python 2.7 interpreter itself. Python 2.7 syntax: the suite runs on nothing newer."""

import os
import site
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
site.addsitedir(os.environ.get("AUTOBAHN_DIR") or os.path.join(HERE, "..", "..", ".autobahn"))
# cryptography warns on every start that Python 2 is deprecated; that is known and not news.
warnings.filterwarnings("ignore")

from autobahntestsuite.wstest import run  # noqa: E402 (needs the site dir above)

if __name__ == "__main__":
    sys.argv[0] = "wstest"
    sys.exit(run())

"""`python -m evals.synthetic --seed 3`: print one generated report (see evals.synthetic.generate)."""

from evals.synthetic.generate import main

if __name__ == "__main__":
    main()

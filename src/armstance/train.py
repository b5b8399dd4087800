"""`python -m armstance.train`: runs the job armstance.jobs.train."""

from armstance.jobs.train import main

if __name__ == "__main__":
    main()

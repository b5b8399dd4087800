"""`python -m armstance.evaluate`: runs the job armstance.jobs.evaluate."""

from armstance.jobs.evaluate import main

if __name__ == "__main__":
    main()

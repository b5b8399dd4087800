"""`python -m armstance.newsmtsc`: runs the job armstance.jobs.newsmtsc."""

from armstance.jobs.newsmtsc import main

if __name__ == "__main__":
    main()

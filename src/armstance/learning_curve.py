"""`python -m armstance.learning_curve`: runs the job armstance.jobs.learning_curve."""

from armstance.jobs.learning_curve import main

if __name__ == "__main__":
    main()

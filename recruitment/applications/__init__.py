"""Applications: eligibility, frozen snapshots, numbering, withdrawal, staff views and exports."""

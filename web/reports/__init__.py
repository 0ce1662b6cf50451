"""Reports an office can sign: one period's figures as XLSX and PDF, from the dashboard's own functions."""

"""Casework: cases, queues and deadlines for the people who handle complaints."""

"""Shared UI code: charts (DataFrame in, plotly Figure out), filters, layout and sign-in."""

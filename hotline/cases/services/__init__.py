"""Every write in the takedown workflow, one module per step of the loop."""

"""``kiosk pad``: the evaluation pad (评价器) facing the visitor at one window."""

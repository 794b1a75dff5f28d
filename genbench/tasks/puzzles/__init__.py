"""Rule-puzzle task families (boards, sorting, counting, …), one module per family."""

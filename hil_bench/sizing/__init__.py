"""Sizing a model for a board: ``sweep`` (a grid of sparsity x clusters on several boards, Pareto
fronts and fits per board) and ``fit`` (the most accurate point that fits a budget, found with few
trainings). One module per job: the grid and sizes, the budgets, the Pareto front, the resumable
sweep state, the sweep, the search.
"""

"""Pure replenishment-policy mathematics for a fast and a slow source.

No Django imports here: the model, the exact optimum by relative value
iteration, the heuristics and the exact cost of a stationary policy through
its Markov chain. See docs/planning.md for the model and the figures.
"""

"""The verifiability checker's implementation (plain Python, no Django). Import from
:mod:`shinrai.requirements.verifiability`, which is the public API."""

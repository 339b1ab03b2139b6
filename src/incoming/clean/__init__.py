"""Cleaning: hostile raw HTML in, safe stored HTML with MathML formulas and marked code out."""

from incoming.clean.cleaner import clean_html
from incoming.clean.highlight import highlight_code_blocks
from incoming.clean.mathml import latex_to_mathml

__all__ = ["clean_html", "highlight_code_blocks", "latex_to_mathml"]

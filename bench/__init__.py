"""Side-by-side benchmarks of glassnet against scikit-learn and PyTorch; see README.md."""

"""Regenerate tests/data/stft.npz and stft_errors.json from live PyTorch (torch must be installed).

    python tests/data/regen_stft.py
"""
import os
import runpy

if __name__ == "__main__":
    runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test_stft.py"),
                   run_name="__main__")

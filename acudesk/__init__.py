"""AcuDesk: practice management for acupuncture clinics that treat back and neck pain."""

__version__ = "0.1.0"

//! Deterministic generator of realistic HR exports (placeholder).

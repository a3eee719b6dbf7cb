//! ECMP flow selection (placeholder; filled by the ECMP work).

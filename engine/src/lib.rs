//! Switchyard's state engine: machines declared once, fired through one path (in progress).

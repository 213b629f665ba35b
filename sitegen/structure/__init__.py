"""What a site is made of: the model, dates, diagnostics and every URL. No I/O."""

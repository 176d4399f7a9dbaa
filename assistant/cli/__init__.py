"""The terminal interface: a thin Typer layer over `assistant.service.ComplyQA`."""

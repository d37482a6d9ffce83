"""Gazetteer of China's administrative divisions and place linking (being built, issue 3)."""

"""Project pipeline (项目四库), rates, warnings and campaigns."""

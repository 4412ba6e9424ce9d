"""Pipelines: CodePipeline stage chains run locally (codepipeline-semantics)."""

"""Plans: what a buildspec or a pipeline would run, worked out without a container, and what an edit changes.

`model` (the plan as frozen data), `build` (a buildspec's plan, from the engine's own rules), `pipeline` (a pipeline's
plan), `diff` (two plans compared structurally, one Change per difference), `render` (text and markdown), `revision`
(a file as it was at a git revision). Nothing here imports the docker package.
"""

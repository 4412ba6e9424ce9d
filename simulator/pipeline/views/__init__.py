"""What a person sees of a pipeline: `pipeline show` (show), `pipeline status` (status), its HTML page (page),
the live progress line while an execution runs (progress) and the stage/action labels on a run's console
(console). Views read the store and the model; nothing below the pipeline package imports them."""

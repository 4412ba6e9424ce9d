"""What each kind of pipeline action does locally: source, CodeBuild, approval, deploy."""

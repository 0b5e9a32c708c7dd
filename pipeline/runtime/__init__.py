"""The run machinery: the stage protocol, the runner, engines and Parquet parts."""

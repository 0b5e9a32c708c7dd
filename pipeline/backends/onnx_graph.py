"""Runs an ONNX graph with ONNX Runtime: one session per model file and process, one thread by
default (the runner's workers are the parallelism), inputs given as numpy arrays.

Each neural model is a thin wrapper around this: text -> ids -> `OnnxGraph.run` -> decode.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from .model_files import require

THREADS_VARIABLE = "VNPIPE_ONNX_THREADS"  # more threads per process, for one process on many cores


class OnnxGraph:
    def __init__(self, path: Path, threads: int | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get(THREADS_VARIABLE, "1"))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(str(require(path)), options,
                                                     providers=["CPUExecutionProvider"])
        self.input_names = [node.name for node in self._session.get_inputs()]

    def run(self, **inputs: np.ndarray) -> list[np.ndarray]:
        return self._session.run(None, {name: inputs[name] for name in self.input_names})


@functools.cache
def onnx_graph(path: str) -> OnnxGraph:
    """The session of one graph file, created once per process."""
    return OnnxGraph(Path(path))

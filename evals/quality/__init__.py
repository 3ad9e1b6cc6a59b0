"""The project's measurements of itself: retrieval, answers, the verifier, the rules under mutation.

retrieval, qa (with qa_items, qa_generated, qa_model), verify_eval, verify_real, mutation (a
package: harness, tolerance, summary), real_corpus, real_mutation; each is a script
(`python -m evals.quality.X`) over a function that returns typed results. `dataset` reads and
validates a dataset folder (reports/, questions.jsonl, findings.jsonl) and the bundled ones;
`scorecard` runs them all behind `juesuan eval` (docs/evaluation.md); `metrics` holds the small
shared measures (hit@k, reciprocal rank). They use `rag/`, the rule suite and the synthetic
generator.
"""

package dev.quiver.contract.problem;

/**
 * Told about every problem response a service sends, for metrics and audit. Implementations must be cheap and must
 * not throw; the mappers guard against it anyway, because a failing listener must never turn a 400 into a 500.
 */
public interface ProblemListener {

    void onProblem(ProblemType type);
}

package dev.berth.cli;

/** The API answered 4xx or 5xx; the message is the problem's {@code title: detail}. */
public final class ApiProblem extends CliFailure {

    private final Problem problem;

    public ApiProblem(Problem problem) {
        super(problem.message());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}

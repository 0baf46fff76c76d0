"""Making quizzes: the question bank, quiz specs, nbgrader source notebooks, answer checking."""

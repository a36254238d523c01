"""Goals pages, by subject: goals (list, detail, form, state), milestones and progress (the inline
htmx updates), the manager's view of shared goals, and the *My work* card."""

"""What every organisation starts with: the seven themes, a question bank per theme (a few
statements reverse-scored: agreeing is the bad answer), and the action library's suggestions for
a person (individual) and for a manager's team. Plain data; ``services.bank_ensure`` stores it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThemeSeed:
    name: str
    description: str
    questions: tuple[tuple[str, bool], ...]  # (statement, reverse-scored)
    individual: tuple[tuple[str, str], ...]  # (action, how)
    manager: tuple[tuple[str, str], ...]


THEMES: tuple[ThemeSeed, ...] = (
    ThemeSeed(
        "Resources",
        "Having the tools, information and time the work needs.",
        (
            ("I have the tools and equipment I need to do my job well.", False),
            ("I can get the information I need without chasing people.", False),
            ("I often lack the time to do my work properly.", True),
        ),
        (
            ("List what slows you down", "Keep a week's log of the tools or information you waited for."),
            ("Ask for one missing tool", "Bring the single most useful missing resource to your manager."),
            ("Protect focus time", "Block two hours a week in your calendar for deep work."),
        ),
        (
            ("Run a resources retro", "Ask the team what they lack and fix the top item within a month."),
            ("Make information findable", "Agree where decisions and documents live, and put them there."),
            ("Rebalance the workload", "Review who carries what and move one piece of work."),
        ),
    ),
    ThemeSeed(
        "Headspace",
        "Room to think: workload, focus and pressure.",
        (
            ("My workload is manageable.", False),
            ("I can focus without constant interruptions.", False),
            ("I often feel overwhelmed at work.", True),
        ),
        (
            ("Plan tomorrow today", "End each day by choosing tomorrow's three priorities."),
            ("Batch your messages", "Read messages at set times instead of as they arrive."),
            ("Say no to one thing", "Decline or hand back one commitment that does not fit your priorities."),
        ),
        (
            ("Meeting-free afternoons", "Agree one afternoon a week without meetings for the team."),
            ("Priorities in the open", "Keep the team's priorities visible and stop the lowest one."),
            ("Check in on load", "Ask each person about their workload in your next one-to-one."),
        ),
    ),
    ThemeSeed(
        "Wellbeing",
        "Energy, balance and feeling well at work.",
        (
            ("I have enough energy for my life outside work.", False),
            ("I can take time off without worrying about work.", False),
            ("Work regularly keeps me awake at night.", True),
        ),
        (
            ("Take real breaks", "Step away from your screen for lunch every day for a month."),
            ("Book your time off", "Put your next holiday in the calendar now."),
            ("An end to the working day", "Choose a time after which you do not read work messages."),
        ),
        (
            ("Model the balance", "Stop sending messages out of hours and say so."),
            ("Cover for holidays", "Arrange cover so nobody works on their time off."),
            ("Talk about wellbeing", "Open one team meeting a month with how people are doing."),
        ),
    ),
    ThemeSeed(
        "Recognition",
        "Feeling that good work is noticed and valued.",
        (
            ("I receive recognition when I do good work.", False),
            ("My contributions are valued by my team.", False),
            ("Good work here usually goes unnoticed.", True),
        ),
        (
            ("Share your wins", "Tell your manager about one thing that went well each week."),
            ("Recognise a colleague", "Thank one colleague specifically for something they did."),
            ("Ask for feedback", "Ask for feedback on a recent piece of work you are proud of."),
        ),
        (
            ("Weekly shout-outs", "Name one piece of good work in every team meeting."),
            ("Specific praise", "Give each report specific, written recognition this month."),
            ("Celebrate milestones", "Mark the end of every project with the people who did it."),
        ),
    ),
    ThemeSeed(
        "Growth",
        "Learning, development and a future here.",
        (
            ("I am learning and growing in my role.", False),
            ("I can see a future for myself in this organisation.", False),
            ("My development has stalled.", True),
        ),
        (
            ("Pick a skill", "Choose one skill to build this quarter and a way to practise it."),
            ("Find a mentor", "Ask someone you admire for a monthly conversation."),
            ("Write your development plan", "Write down where you want to be in a year and discuss it."),
        ),
        (
            ("Development conversations", "Hold a growth conversation with every report this quarter."),
            ("Stretch assignments", "Give each person one piece of work that stretches them."),
            ("Learning time", "Agree a few hours a month of learning time for everyone."),
        ),
    ),
    ThemeSeed(
        "Purpose",
        "Understanding why the work matters.",
        (
            ("I understand how my work contributes to our goals.", False),
            ("The work I do is meaningful to me.", False),
            ("I often wonder what my work is for.", True),
        ),
        (
            ("Connect to the goal", "Write how your current work serves one of the organisation's objectives."),
            ("Meet a customer", "Join a customer call or read customer feedback once a month."),
            ("Reflect on impact", "Note at the end of each week one difference your work made."),
        ),
        (
            ("Explain the why", "Start each new piece of work with why it matters."),
            ("Share results", "Show the team what their work changed for customers."),
            ("Align the team's goals", "Link each team goal to a company objective in the open."),
        ),
    ),
    ThemeSeed(
        "Relationships",
        "Trust and support between colleagues and with managers.",
        (
            ("I can count on my colleagues when I need help.", False),
            ("I trust my manager.", False),
            ("I feel isolated in my team.", True),
        ),
        (
            ("Coffee with a colleague", "Have an informal conversation with a different colleague each week."),
            ("Offer help", "Offer help to a colleague on something you know well."),
            ("Speak up", "Raise one concern directly with the person it concerns."),
        ),
        (
            ("Regular one-to-ones", "Hold a one-to-one with each report every two weeks."),
            ("Team time", "Plan one team activity that is not about work."),
            ("Pair people up", "Pair colleagues on work so nobody works alone."),
        ),
    ),
)

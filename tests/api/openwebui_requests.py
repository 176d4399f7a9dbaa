"""The request bodies Open WebUI 0.12.4 sends to an OpenAI connection, for replaying.

Built from Open WebUI's own templates (backend/open_webui/config.py: the default title, tags
and follow-up prompt templates; `{{MESSAGES:END:n}}` renders the last n messages as
"ROLE: content" lines) and its chat payload (streaming, `stream_options`, the `tools` list of
native function calling). Only the parts complyqa reads matter; the rest is kept so the
endpoint is shown to accept it.
"""

from __future__ import annotations

from typing import Any

MODEL = "complyqa"
QUESTION = "When is a license required to export advanced computing items for a supercomputer?"

TITLE_TEMPLATE = """### Task:
Generate a concise, 3-5 word title with an emoji summarizing the chat history.
### Guidelines:
- The title should clearly represent the main theme or subject of the conversation.
- Use emojis that enhance understanding of the topic, but avoid quotation marks or special formatting.
- Write the title in the chat's primary language; default to English if multilingual.
- Prioritize accuracy over excessive creativity; keep it clear and simple.
- Your entire response must consist solely of the JSON object, without any introductory or concluding text.
- The output must be a single, raw JSON object, without any markdown code fences or other encapsulating text.
- Ensure no conversational text, affirmations, or explanations precede or follow the raw JSON output, as this will cause direct parsing failure.
### Output:
JSON format: { "title": "your concise title here" }
### Examples:
- { "title": "📉 Stock Market Trends" },
- { "title": "🍪 Perfect Chocolate Chip Recipe" },
- { "title": "Evolution of Music Streaming" },
- { "title": "Remote Work Productivity Tips" },
- { "title": "Artificial Intelligence in Healthcare" },
- { "title": "🎮 Video Game Development Insights" }
### Chat History:
<chat_history>
{history}
</chat_history>"""

TAGS_TEMPLATE = """### Task:
Generate 1-3 broad tags categorizing the main themes of the chat history, along with 1-3 more specific subtopic tags.

### Guidelines:
- Start with high-level domains (e.g. Science, Technology, Philosophy, Arts, Politics, Business, Health, Sports, Entertainment, Education)
- Consider including relevant subfields/subdomains if they are strongly represented throughout the conversation
- If content is too short (less than 3 messages) or too diverse, use only ["General"]
- Use the chat's primary language; default to English if multilingual
- Prioritize accuracy over specificity

### Output:
JSON format: { "tags": ["tag1", "tag2", "tag3"] }

### Chat History:
<chat_history>
{history}
</chat_history>"""

FOLLOW_UPS_TEMPLATE = """### Task:
Suggest 3-5 relevant follow-up questions or prompts that the user might naturally ask next in this conversation as a **user**, based on the chat history, to help continue or deepen the discussion.
### Guidelines:
- Write all follow-up questions from the user’s point of view, directed to the assistant.
- Make questions concise, clear, and directly related to the discussed topic(s).
- Only suggest follow-ups that make sense given the chat content and do not repeat what was already covered.
- If the conversation is very short or not specific, suggest more general (but relevant) follow-ups the user might ask.
- Use the conversation's primary language; default to English if multilingual.
- Response must be a JSON object with a "follow_ups" key containing an array of strings, no extra text or formatting.
### Output:
JSON format: { "follow_ups": ["Question 1?", "Question 2?", "Question 3?"] }
### Chat History:
<chat_history>
{history}
</chat_history>"""

#: A tool Open WebUI offers with native function calling (the model may ignore it).
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "search_web",
            "description": "Search the public web for information.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string", "description": "The search query"}},
                "required": ["query"],
            },
        },
    }
]


def history_lines(messages: list[tuple[str, str]]) -> str:
    """`{{MESSAGES:END:n}}` as Open WebUI renders it."""
    return "\n".join(f"{role.upper()}: {text}" for role, text in messages)


def chat_request(
    question: str = QUESTION, earlier: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The streaming chat completion Open WebUI sends for a user's message."""
    return {
        "stream": True,
        "model": MODEL,
        "messages": [*(earlier or []), {"role": "user", "content": question}],
        "tools": TOOLS,
        "tool_choice": "auto",
        "stream_options": {"include_usage": True},
        "metadata": None,
    }


def task_request(template: str, messages: list[tuple[str, str]], max_tokens: int) -> dict[str, Any]:
    """A background task: non-streaming, one user message holding the whole prompt."""
    prompt = template.replace("{history}", history_lines(messages))
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": prompt}],
        "stream": False,
        "max_tokens": max_tokens,
    }


def title_request(messages: list[tuple[str, str]]) -> dict[str, Any]:
    return task_request(TITLE_TEMPLATE, messages[-2:], 1000)


def tags_request(messages: list[tuple[str, str]]) -> dict[str, Any]:
    return task_request(TAGS_TEMPLATE, messages[-6:], 1000)


def follow_ups_request(messages: list[tuple[str, str]]) -> dict[str, Any]:
    return task_request(FOLLOW_UPS_TEMPLATE, messages[-6:], 1000)

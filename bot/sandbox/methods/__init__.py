"""The Bot API methods the sandbox answers, one module per area:

* :mod:`.updates` — getUpdates, setWebhook, deleteWebhook, getWebhookInfo
* :mod:`.bot` — getMe, logOut, close, command menus, name and descriptions, menu buttons, getChat
* :mod:`.messages` — sendMessage, sendDocument, sendPhoto, sendChatAction, getFile
* :mod:`.edits` — editMessageText/Caption/ReplyMarkup, deleteMessage(s)
* :mod:`.queries` — answerCallbackQuery, answerInlineQuery
"""

from . import bot, edits, messages, queries, updates
from .messages import SEND_METHODS
from .table import MethodTable

__all__ = ["METHODS", "SEND_METHODS", "MethodTable"]

METHODS = MethodTable(updates.METHODS, bot.METHODS, messages.METHODS, edits.METHODS,
                      queries.METHODS)

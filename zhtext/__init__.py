"""Chinese text, the ground floor both index/ and bot/ stand on: words (jieba), sentences, dates,
numerals, document numbers and place names. Pure functions of text; imports nothing of the project."""

() => {
  // The public page's own behaviour, run once after Gradio has drawn it. YL_WORDS and
  // YL_MAX_CHARS are filled in by bot/ui.py from the wording file and the settings.
  const words = YL_WORDS;
  const maxChars = YL_MAX_CHARS;
  const root = document.documentElement;
  const status = (text) => {
    const box = document.querySelector('#yl-status');
    if (box) box.textContent = text;
  };

  // 大字 and 高对比度: real toggles (aria-pressed), remembered on this device.
  const show = (name, on) => {
    root.classList.toggle(`yl-${name}`, on);
    document.querySelector(`#yl-${name}`)?.setAttribute('aria-pressed', String(on));
  };
  const stored = (name) => {
    try { return localStorage.getItem(`yl-${name}`) === 'on'; } catch { return false; }
  };
  window.ylToggle = (name) => {
    const on = !root.classList.contains(`yl-${name}`);
    show(name, on);
    try { localStorage.setItem(`yl-${name}`, on ? 'on' : 'off'); } catch { /* private mode: not remembered */ }
  };
  for (const name of ['xl', 'contrast']) show(name, stored(name));

  // The latest answer as plain text, and with its 出处 lines for copying.
  const latestAnswer = () => [...document.querySelectorAll('#yl-chat .yl-answer')].pop();
  const spoken = (answer) => answer.innerText.replace(/\[\d+\]/g, '');
  const withSources = (answer) => {
    const lines = [answer.innerText.trim()];
    for (const card of answer.parentElement.querySelectorAll('.yl-source')) {
      const source = card.querySelector('summary').textContent.replace('来源：', '出处：').trim();
      const section = card.querySelector('.yl-section')?.childNodes[0]?.textContent.trim() || '';
      lines.push(`${source} ${section}`.trim());
    }
    return lines.join('\n');
  };

  // 朗读回答 / 停止朗读: say plainly when this device has no Chinese voice.
  const voices = () => new Promise((resolve) => {
    const now = speechSynthesis.getVoices();
    if (now.length) return resolve(now);
    const done = () => resolve(speechSynthesis.getVoices());
    speechSynthesis.addEventListener('voiceschanged', done, { once: true });
    setTimeout(done, 1500);
  });
  window.ylSpeak = async () => {
    const answer = latestAnswer();
    if (!answer) return status(words.speech_none);
    const chinese = window.speechSynthesis ? (await voices()).filter((v) => /^zh|cmn/i.test(v.lang)) : [];
    if (!chinese.length) return status(words.speech_unavailable);
    const utterance = new SpeechSynthesisUtterance(spoken(answer));
    utterance.lang = 'zh-CN';
    utterance.voice = chinese[0];
    utterance.rate = 0.9;
    utterance.onend = () => status('');
    utterance.onerror = (event) => {
      if (!['interrupted', 'canceled'].includes(event.error)) status(words.speech_failed);
    };
    speechSynthesis.cancel();
    speechSynthesis.speak(utterance);
    status(words.speech_playing);
  };
  window.ylStop = () => {
    window.speechSynthesis?.cancel();
    status(words.speech_stopped);
  };

  // 复制回答: the answer as text with its sources, never the markup.
  window.ylCopy = async () => {
    const answer = latestAnswer();
    if (!answer) return status(words.copy_none);
    try {
      await navigator.clipboard.writeText(withSources(answer));
      status(words.copied);
    } catch {
      status(words.copy_failed);
    }
  };

  // The length limit, shown while typing once the question nears it.
  const count = () => {
    const box = document.querySelector('#yl-question textarea');
    const counter = document.querySelector('#yl-count');
    if (!box || !counter) return;
    const left = maxChars - box.value.length;
    counter.classList.toggle('yl-over', left < 0);
    counter.textContent = left < 0 ? words.count_over.replace('{over}', -left)
      : left <= maxChars / 5 ? words.count_left.replace('{left}', left) : '';
  };
  document.addEventListener('input', (event) => {
    if (event.target.closest?.('#yl-question')) count();
  });

  // Gradio's English or markup names, replaced by Chinese text; and each new answer scrolled
  // into view with its question above it.
  const GRADIO_NAMES = {
    'Copy': '复制答复', 'Copy message': '复制', 'Reset to default value': '恢复默认段数', 'Scroll down': '滚动到最新',
    'Clear': '清空', 'Like': '赞', 'Dislike': '踩',
  };
  let answersSeen = 0;
  const tidy = () => {
    const log = document.querySelector('#yl-chat [role="log"]');
    if (log && log.getAttribute('aria-label') !== words.chat_label) log.setAttribute('aria-label', words.chat_label);
    for (const message of document.querySelectorAll('#yl-chat [data-testid="user"], #yl-chat [data-testid="bot"]')) {
      const who = message.dataset.testid === 'user' ? '您的问题：' : '回答：';
      const name = who + message.innerText.trim().slice(0, 200);
      if (message.getAttribute('aria-label') !== name) message.setAttribute('aria-label', name);
    }
    for (const button of document.querySelectorAll('button[aria-label]')) {
      const chinese = GRADIO_NAMES[button.getAttribute('aria-label')];
      if (chinese) {
        button.setAttribute('aria-label', chinese);
        button.setAttribute('title', chinese);
      }
    }
    for (const node of document.querySelectorAll('.sr-only, [aria-live]')) {
      if (node.textContent.trim() === 'common.complete') node.textContent = '已完成';
    }
    const answers = document.querySelectorAll('#yl-chat .yl-answer');
    if (answers.length > answersSeen) {
      const question = [...document.querySelectorAll('#yl-chat .user-row')].pop() || answers[answers.length - 1];
      const top = question.getBoundingClientRect().top + window.scrollY - 8;
      window.scrollTo({ top, behavior: 'instant' });
    }
    answersSeen = answers.length;
    count();
  };
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; tidy(); });
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
  tidy();
}

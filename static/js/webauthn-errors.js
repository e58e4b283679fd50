// When a passkey or security key could not be used (the person cancelled, the key is not
// registered here, the browser refused), allauth's WebAuthn script raises an "allauth.error"
// event and writes to the console only. Say it in the page, next to the button, and let screen
// readers announce it. No inline script: this file is loaded by
// templates/mfa/webauthn/snippets/scripts.html, which gives it its sentences translated.
(function () {
  'use strict'

  // The sentences, in the page's language, from the script element's data attributes (the
  // template that loads this file translates them); English if they are missing.
  const said = (document.currentScript && document.currentScript.dataset) || {}

  function explain (exception) {
    const name = exception && exception.name
    if (name === 'NotAllowedError') {
      return said.notAllowed ||
        'The passkey or security key was not used: the request was cancelled or timed out. ' +
        'Try again, or use another way to sign in.'
    }
    if (name === 'InvalidStateError') {
      return said.invalidState ||
        'This passkey or security key is already registered to your account.'
    }
    if (name === 'SecurityError') {
      return said.security ||
        'Your browser refused to use a passkey on this address. Open Trackii at its usual ' +
        'address (a name, not a number) and try again.'
    }
    return said.other ||
      'The passkey or security key could not be used. Try again, or use another way to sign in.'
  }

  document.addEventListener('allauth.error', function (event) {
    const detail = event.detail || {}
    if (!(detail.tags || []).includes('webauthn')) {
      return
    }
    event.preventDefault()
    let notice = document.getElementById('webauthn-error')
    if (!notice) {
      notice = document.createElement('p')
      notice.id = 'webauthn-error'
      notice.className = 'message message--error'
      notice.setAttribute('role', 'alert')
      const main = document.getElementById('main')
      main.insertBefore(notice, main.firstChild)
    }
    notice.textContent = explain(detail.exception)
    notice.tabIndex = -1
    notice.focus()
  })
})()

import { formClass } from './form-html.js';

/**
 * The inline script that enhances server-rendered forms (ES2017, no dependencies): posts JSON with
 * fetch (adding `_sid` and the tracker's `_aid`), shows the 400 answer's field errors next to their
 * inputs, then the success message or the redirect. Without it the form still posts.
 */
export const enhanceScript = `(function(){
var C='${formClass}';
function aid(){var m=document.cookie.match(/(?:^|; )nurture_aid=([^;]*)/);if(m)return decodeURIComponent(m[1]);try{return localStorage.getItem('nurture_aid')||''}catch(e){return ''}}
function q(f,s){return f.querySelector(s)}
function show(f,errs,msg){var a=q(f,'.'+C+'__alert');a.textContent=msg||'';[].forEach.call(f.querySelectorAll('.'+C+'__error'),function(p){p.textContent=''});[].forEach.call(f.querySelectorAll('[aria-invalid]'),function(i){i.removeAttribute('aria-invalid')});var first;(errs||[]).forEach(function(e){var i=f.elements.namedItem(e.field);var p=i&&i.id&&document.getElementById(i.id+'-error');if(p){p.textContent=e.message;i.setAttribute('aria-invalid','true');first=first||i}else a.textContent=e.message});if(first)first.focus()}
[].forEach.call(document.querySelectorAll('form.'+C),function(f){f.addEventListener('submit',function(ev){if(!window.fetch||!window.crypto||!crypto.randomUUID)return;ev.preventDefault();var b={};new FormData(f).forEach(function(v,k){b[k]=String(v)});b._sid=crypto.randomUUID();var x=aid();if(x)b._aid=x;var btn=q(f,'button[type=submit]');btn.disabled=true;
fetch(f.action,{method:'POST',headers:{'content-type':'application/json',accept:'application/json'},body:JSON.stringify(b)}).then(function(r){return r.json().then(function(j){return{ok:r.ok,j:j||{}}})}).then(function(r){btn.disabled=false;if(!r.ok){show(f,r.j.errors||(r.j.field?[{field:r.j.field,message:r.j.error}]:[]),r.j.errors?'':r.j.error);return}if(r.j.redirect){location.href=r.j.redirect;return}var s=q(f,'.'+C+'__success');[].forEach.call(f.children,function(c){if(c!==s)c.hidden=true});s.textContent=r.j.message||'';s.focus&&s.setAttribute('tabindex','-1');s.focus&&s.focus()})['catch'](function(){btn.disabled=false;f.submit()})})})})();`;

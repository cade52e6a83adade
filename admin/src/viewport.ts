import { ref } from 'vue';

/**
 * Whether the page is as narrow as a phone: sales open 查看线索 links from WeCom on their phones,
 * so below this width the menu folds away and wide tables become cards.
 */
const PHONE = window.matchMedia('(max-width: 768px)');
export const narrow = ref(PHONE.matches);
PHONE.addEventListener('change', (event) => {
  narrow.value = event.matches;
});

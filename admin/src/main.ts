import { createApp } from 'vue';
import 'tdesign-vue-next/es/style/index.css';
import App from './App.vue';

createApp(App).mount('#app');
